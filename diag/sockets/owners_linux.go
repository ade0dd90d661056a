package sockets

import (
	"os"
	"slices"
	"strconv"
	"strings"
)

// addOwners fills in the owners of socks by reading every process's
// /proc/[pid]/fd links ("socket:[INODE]"). Processes that vanish or that we
// may not inspect are passed over: their sockets keep an unknown owner.
func addOwners(socks []Socket) {
	want := make(map[uint64][]Owner)
	for _, s := range socks {
		if s.Inode != 0 {
			want[s.Inode] = nil
		}
	}
	if len(want) == 0 {
		return
	}
	dir, err := os.Open(procRoot)
	if err != nil {
		return
	}
	names, _ := dir.Readdirnames(-1)
	dir.Close()
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || pid <= 0 {
			continue
		}
		scanProcess(pid, want)
	}
	for i := range socks {
		o := want[socks[i].Inode]
		if len(o) == 0 {
			continue
		}
		slices.SortFunc(o, func(a, b Owner) int { return a.PID - b.PID })
		socks[i].Owners = o
		socks[i].PID, socks[i].Process = o[0].PID, o[0].Command
	}
}

// scanProcess adds pid as an owner of every wanted inode among its open
// file descriptors, once per inode however many descriptors share it.
func scanProcess(pid int, want map[uint64][]Owner) {
	fdDir := procRoot + "/" + strconv.Itoa(pid) + "/fd/"
	d, err := os.Open(fdDir)
	if err != nil {
		return // exited, or not ours to read
	}
	fds, _ := d.Readdirnames(-1)
	d.Close()
	command := ""
	for _, fd := range fds {
		link, err := os.Readlink(fdDir + fd)
		if err != nil {
			continue
		}
		inode, ok := socketInode(link)
		if !ok {
			continue
		}
		owners, wanted := want[inode]
		if !wanted || (len(owners) > 0 && owners[len(owners)-1].PID == pid) {
			continue
		}
		if command == "" {
			command = readComm(pid)
		}
		want[inode] = append(owners, Owner{PID: pid, Command: command})
	}
}

// socketInode parses a socket fd's link target, "socket:[12345]".
func socketInode(link string) (uint64, bool) {
	rest, ok := strings.CutPrefix(link, "socket:[")
	if !ok || !strings.HasSuffix(rest, "]") {
		return 0, false
	}
	n, err := strconv.ParseUint(rest[:len(rest)-1], 10, 64)
	return n, err == nil
}

// readComm returns the process's command name, or "?" when it is gone.
func readComm(pid int) string {
	b, err := os.ReadFile(procRoot + "/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return "?"
	}
	return strings.TrimSuffix(string(b), "\n")
}
