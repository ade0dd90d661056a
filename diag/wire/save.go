package wire

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Saver writes each peer's received bytes, raw, to a file of its own in a
// directory (--save DIR). A nil *Saver saves nothing. It is safe for
// concurrent use.
type Saver struct {
	dir   string
	mu    sync.Mutex
	files map[string]*os.File
	err   error // the first write error
}

// NewSaver returns a Saver writing into dir, which it creates if needed.
func NewSaver(dir string) (*Saver, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--save: %w", err)
	}
	return &Saver{dir: dir, files: map[string]*os.File{}}, nil
}

// SaveName is the file name of a peer's bytes: its address and the time
// it was first heard from, "127.0.0.1_41234_20261207T070415.123Z.bin"
// ("[::1]:41234" becomes "--1_41234_…": colons are not portable in names).
func SaveName(peer string, start time.Time) string {
	host, port := peer, ""
	if i := strings.LastIndexByte(peer, ':'); i >= 0 {
		host, port = strings.Trim(peer[:i], "[]"), peer[i+1:]
	}
	host = strings.NewReplacer(":", "-", "%", "-", "/", "-").Replace(host)
	return fmt.Sprintf("%s_%s_%s.bin", host, port, start.UTC().Format("20060102T150405.000Z"))
}

// Write appends p to the file of the peer heard from first at start
// (several peers of one address and start time share nothing: the key is
// both). It returns the file's path.
func (s *Saver) Write(peer string, start time.Time, p []byte) (string, error) {
	if s == nil {
		return "", nil
	}
	name := filepath.Join(s.dir, SaveName(peer, start))
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[name]
	if f == nil {
		var err error
		if f, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644); err != nil {
			return name, fmt.Errorf("--save: %w", err)
		}
		s.files[name] = f
	}
	if _, err := f.Write(p); err != nil {
		return name, fmt.Errorf("--save: %w", err)
	}
	return name, nil
}

// Close closes every file.
func (s *Saver) Close() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for name, f := range s.files {
		errs = append(errs, f.Close())
		delete(s.files, name)
	}
	return errors.Join(errs...)
}
