//go:build linux || darwin

package ipinfo

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// mapMin is the size from which a regular file is mapped rather than read.
const mapMin = 1 << 20

// mapFile maps the rest of r into memory, from its current offset, if r is
// a regular file of at least mapMin bytes, and moves the offset to the end
// as reading it would. It returns nil if r is anything else or the mapping
// fails: the caller then reads r.
func mapFile(r io.Reader) (data []byte, unmap func() error) {
	f, ok := r.(*os.File)
	if !ok {
		return nil, nil
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return nil, nil
	}
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil || fi.Size()-off < mapMin || fi.Size() != int64(int(fi.Size())) {
		return nil, nil
	}
	base := off &^ int64(os.Getpagesize()-1) // mappings start at a page
	m, err := unix.Mmap(int(f.Fd()), base, int(fi.Size()-base), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, nil
	}
	if _, err := f.Seek(fi.Size(), io.SeekStart); err != nil {
		_ = unix.Munmap(m)
		return nil, nil
	}
	return m[off-base:], func() error { return unix.Munmap(m) }
}
