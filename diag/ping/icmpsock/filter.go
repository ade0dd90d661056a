package icmpsock

import "golang.org/x/net/bpf"

// filterProgram returns the classic BPF program a raw socket uses to pass
// only echo replies with identifier id and ICMP errors quoting an echo
// request with that identifier, so it is not woken for every other ICMP
// packet on the host (raw sockets see them all). The IPv4 program expects
// the IP header first, as raw IPv4 sockets read; the IPv6 one the ICMPv6
// header, as raw ICMPv6 sockets do.
func filterProgram(v6 bool, id uint16) []bpf.Instruction {
	const accept, reject = 0xffffffff, 0
	var prog []bpf.Instruction
	if v6 {
		// A raw ICMPv6 socket reads from the ICMPv6 header on.
		prog = []bpf.Instruction{
			bpf.LoadAbsolute{Off: 0, Size: 1},                                           // 0: type
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 129, SkipFalse: 2},                     // 1: echo reply? else 4
			bpf.LoadAbsolute{Off: 4, Size: 2},                                           // 2: identifier
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(id), SkipTrue: 7, SkipFalse: 6}, // 3: ours? accept : reject
			bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: 4, SkipTrue: 5},                  // 4: types 1-4 are errors
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0, SkipTrue: 4},                        // 5
			bpf.LoadAbsolute{Off: 8 + 40, Size: 1},                                      // 6: quoted ICMPv6 type
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 128, SkipFalse: 2},                     // 7: an echo request?
			bpf.LoadAbsolute{Off: 8 + 40 + 4, Size: 2},                                  // 8: its identifier
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(id), SkipTrue: 1},               // 9: ours?
			bpf.RetConstant{Val: reject},                                                // 10
			bpf.RetConstant{Val: accept},                                                // 11
		}
	} else {
		// A raw IPv4 socket reads the IP header first; X = its length.
		prog = []bpf.Instruction{
			bpf.LoadMemShift{Off: 0},                                                    // 0: X = header length
			bpf.LoadIndirect{Off: 0, Size: 1},                                           // 1: type
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0, SkipFalse: 2},                       // 2: echo reply? else 5
			bpf.LoadIndirect{Off: 4, Size: 2},                                           // 3: identifier
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(id), SkipTrue: 8, SkipFalse: 7}, // 4: ours? accept : reject
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 3, SkipTrue: 2},                        // 5: unreachable
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 11, SkipTrue: 1},                       // 6: time exceeded
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 12, SkipFalse: 4},                      // 7: parameter problem
			bpf.LoadIndirect{Off: 8, Size: 1},                                           // 8: quoted IP version and length
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x45, SkipFalse: 3},                    // 9: with options: let Recv check
			bpf.LoadIndirect{Off: 8 + 20 + 4, Size: 2},                                  // 10: quoted identifier
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(id), SkipTrue: 1},               // 11: ours?
			bpf.RetConstant{Val: reject},                                                // 12
			bpf.RetConstant{Val: accept},                                                // 13
		}
	}
	return prog
}
