#include "textflag.h"

// func classifyLines(p *byte, n int, recs *lineMasks, max int) int
//
// For each line starting at p (n bytes are readable), up to max lines,
// writes a lineMasks record: the index of the line's '\n' and one bit per
// byte before it for each character class. It stops early, without a
// record, at a line whose '\n' is not within its first 64 bytes (or not
// among the n bytes), and returns the number of records written. Loads
// are masked to the n readable bytes, so it never reads past them.
//
// Needs AVX-512 F and BW, BMI1 and BMI2 (see lines_amd64.go).
TEXT ·classifyLines(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ recs+16(FP), DI
	MOVQ max+24(FP), R8
	XORQ AX, AX

	MOVL $'\n', R9
	VPBROADCASTB R9, Z10
	MOVL $':', R9
	VPBROADCASTB R9, Z11
	MOVL $'.', R9
	VPBROADCASTB R9, Z12
	MOVL $'/', R9
	VPBROADCASTB R9, Z13
	MOVL $'%', R9
	VPBROADCASTB R9, Z14
	MOVL $'0', R9
	VPBROADCASTB R9, Z15
	MOVL $10, R9
	VPBROADCASTB R9, Z16
	MOVL $0x20, R9
	VPBROADCASTB R9, Z17
	MOVL $'a', R9
	VPBROADCASTB R9, Z18
	MOVL $6, R9
	VPBROADCASTB R9, Z19
	MOVL $2, R9
	VPBROADCASTB R9, Z20
	MOVL $5, R9
	VPBROADCASTB R9, Z21
	MOVL $3, R9
	VPBROADCASTB R9, Z22
	VPXORQ Z23, Z23, Z23

loop:
	TESTQ CX, CX
	JLE   done
	CMPQ  AX, R8
	JGE   done

	// K1: the bytes that may be read, at most 64.
	MOVQ    $64, R10
	CMPQ    CX, $64
	CMOVQLT CX, R10
	MOVQ    $-1, R11
	BZHIQ   R10, R11, R11
	KMOVQ   R11, K1
	VMOVDQU8.Z (SI), K1, Z0

	// The line ends at the first '\n'; K3 marks the bytes before it.
	VPCMPEQB Z10, Z0, K1, K2
	KMOVQ    K2, R11
	TESTQ    R11, R11
	JZ       done
	TZCNTQ   R11, R12
	MOVQ     R12, 0(DI)
	MOVQ     $-1, R13
	BZHIQ    R12, R13, R13
	KMOVQ    R13, K3

	VPCMPEQB Z11, Z0, K3, K4 // ':'
	KMOVQ    K4, 8(DI)
	VPCMPEQB Z12, Z0, K3, K4 // '.'
	KMOVQ    K4, 16(DI)
	VPCMPEQB Z13, Z0, K3, K4 // '/'
	VPCMPEQB Z14, Z0, K3, K5 // '%'
	KORQ     K4, K5, K4
	KMOVQ    K4, 24(DI)

	// Digits: x-'0' < 10 (unsigned); hex letters: (x|0x20)-'a' < 6.
	VPSUBB  Z15, Z0, Z1
	VPCMPUB $1, Z16, Z1, K3, K5
	KMOVQ   K5, 32(DI)
	VPORQ   Z17, Z0, Z2
	VPSUBB  Z18, Z2, Z2
	VPCMPUB $1, Z19, Z2, K3, K4
	KORQ    K4, K5, K4
	KMOVQ   K4, 40(DI)

	// Among the digits: '0', '2', '5', >= '3', > '5'.
	VPCMPEQB Z23, Z1, K5, K4
	KMOVQ    K4, 48(DI)
	VPCMPEQB Z20, Z1, K5, K4
	KMOVQ    K4, R9            // '2'
	VPCMPEQB Z21, Z1, K5, K4
	KMOVQ    K4, R10           // '5'
	VPCMPUB  $5, Z22, Z1, K5, K4
	KMOVQ    K4, R11           // >= '3'
	VPCMPUB  $6, Z21, Z1, K5, K4
	KMOVQ    K4, R13           // > '5'

	// big: a run of three digits starting here would be over 255:
	// >= '3', or '2' followed by > '5', or by '5' and > '5'.
	MOVQ R13, R14
	SHRQ $1, R14  // > '5' next
	SHRQ $1, R10  // '5' next
	SHRQ $2, R13  // > '5' after next
	ANDQ R13, R10
	ORQ  R14, R10
	ANDQ R9, R10
	ORQ  R11, R10
	MOVQ R10, 56(DI)

	// Next line.
	INCQ R12
	ADDQ R12, SI
	SUBQ R12, CX
	ADDQ $64, DI
	INCQ AX
	JMP  loop

done:
	VZEROUPPER
	MOVQ AX, ret+32(FP)
	RET
