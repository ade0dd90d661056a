#include "textflag.h"

// func classifyLines(p *byte, n int, recs *lineMasks, max int) int
//
// For each line starting at p (n bytes are readable), up to max lines,
// writes a lineMasks record (see lines_amd64.go): the index of the line's
// '\n' and, for each character class, one bit per byte before it. It stops
// without a record at a line whose '\n' is not within its first 64 bytes
// or not among the n bytes, and returns the number of records written.
//
// The '\n's are found a 64-byte window at a time, so where a line starts
// does not wait on the loads of the line before it. Every load is masked
// to readable bytes: nothing past p+n is touched.
//
// Needs AVX-512 F and BW, BMI1 and BMI2 (see lines_amd64.go).
TEXT ·classifyLines(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), SI          // start of the current line
	MOVQ n+8(FP), R9
	ADDQ SI, R9               // end of the readable bytes
	MOVQ recs+16(FP), DI
	MOVQ max+24(FP), R8
	XORQ AX, AX               // records written
	MOVQ SI, DX
	SUBQ $64, DX              // window base, advanced before use
	XORQ BX, BX               // '\n's of the window not yet used

	MOVL $'\n', R10
	VPBROADCASTB R10, Z10
	MOVL $':', R10
	VPBROADCASTB R10, Z11
	MOVL $'.', R10
	VPBROADCASTB R10, Z12
	MOVL $'/', R10
	VPBROADCASTB R10, Z13
	MOVL $'%', R10
	VPBROADCASTB R10, Z14
	MOVL $'0', R10
	VPBROADCASTB R10, Z15
	MOVL $10, R10
	VPBROADCASTB R10, Z16
	MOVL $0x20, R10
	VPBROADCASTB R10, Z17
	MOVL $'a', R10
	VPBROADCASTB R10, Z18
	MOVL $6, R10
	VPBROADCASTB R10, Z19
	MOVL $2, R10
	VPBROADCASTB R10, Z20
	MOVL $5, R10
	VPBROADCASTB R10, Z21
	MOVL $3, R10
	VPBROADCASTB R10, Z22
	VPXORQ Z23, Z23, Z23
	MOVL $0x21, R10
	VPBROADCASTB R10, Z24
	MOVL $0x5e, R10
	VPBROADCASTB R10, Z25
	MOVL $'[', R10
	VPBROADCASTB R10, Z26
	MOVL $']', R10
	VPBROADCASTB R10, Z27

line:
	CMPQ AX, R8
	JGE  done

nextnl:
	TESTQ BX, BX
	JNZ   found
	ADDQ  $64, DX             // the next window: min(64, R9-DX) bytes
	MOVQ  R9, R10
	SUBQ  DX, R10
	JLE   done
	MOVQ    $64, R11
	CMPQ    R10, $64
	CMOVQLT R10, R11
	MOVQ    $-1, R10
	BZHIQ   R11, R10, R10
	KMOVQ   R10, K7
	VMOVDQU8.Z (DX), K7, Z0
	VPCMPEQB Z10, Z0, K7, K7
	KMOVQ    K7, BX
	JMP      nextnl

found:
	TZCNTQ BX, R12
	BLSRQ  BX, BX
	ADDQ   DX, R12
	SUBQ   SI, R12            // R12: the line's length before its '\n'
	CMPQ   R12, $64
	JGE    done               // a long line: the caller judges it

	// K1: the line's bytes before the '\n', loaded into Z0.
	MOVQ  $-1, R10
	BZHIQ R12, R10, R10
	KMOVQ R10, K1
	VMOVDQU8.Z (SI), K1, Z0
	MOVQ  R12, 0(DI)

	VPCMPEQB Z11, Z0, K1, K2 // ':'
	KMOVQ    K2, 8(DI)
	VPCMPEQB Z12, Z0, K1, K3 // '.'
	KMOVQ    K3, 16(DI)
	VPCMPEQB Z13, Z0, K1, K3 // '/'
	KMOVQ    K3, 24(DI)
	VPCMPEQB Z14, Z0, K1, K4 // '%'
	KMOVQ    K4, 32(DI)

	// Digits: x-'0' < 10 (unsigned); hex letters: (x|0x20)-'a' < 6.
	VPSUBB  Z15, Z0, Z1
	VPCMPUB $1, Z16, Z1, K1, K5
	KMOVQ   K5, 40(DI)
	VPORQ   Z17, Z0, Z2
	VPSUBB  Z18, Z2, Z2
	VPCMPUB $1, Z19, Z2, K1, K6
	KORQ    K5, K6, K6
	KMOVQ   K6, 48(DI)

	// Among the digits: '0', '2', '5', >= '3', > '5'.
	VPCMPEQB Z23, Z1, K5, K6
	KMOVQ    K6, 56(DI)
	VPCMPEQB Z20, Z1, K5, K6
	KMOVQ    K6, CX            // '2'
	VPCMPEQB Z21, Z1, K5, K6
	KMOVQ    K6, R10           // '5'
	VPCMPUB  $5, Z22, Z1, K5, K6
	KMOVQ    K6, R11           // >= '3'
	VPCMPUB  $6, Z21, Z1, K5, K6
	KMOVQ    K6, R13           // > '5'

	// big: three digits starting here would be over 255: >= '3', or '2'
	// followed by > '5', or by '5' and > '5'.
	MOVQ R13, R14
	SHRQ $1, R14
	SHRQ $1, R10
	SHRQ $2, R13
	ANDQ R13, R10
	ORQ  R14, R10
	ANDQ CX, R10
	ORQ  R11, R10
	MOVQ R10, 64(DI)

	// Zone bytes: printable ASCII but for '%', '/', ':', '[' and ']'.
	VPSUBB   Z24, Z0, Z3
	VPCMPUB  $1, Z25, Z3, K1, K6
	KORQ     K3, K4, K7
	KORQ     K2, K7, K7
	VPCMPEQB Z26, Z0, K1, K2
	KORQ     K2, K7, K7
	VPCMPEQB Z27, Z0, K1, K2
	KORQ     K2, K7, K7
	KANDNQ   K6, K7, K6
	KMOVQ    K6, 72(DI)

	// The next line starts after the '\n'.
	LEAQ 1(SI)(R12*1), SI
	ADDQ $80, DI
	INCQ AX
	JMP  line

done:
	VZEROUPPER
	MOVQ AX, ret+32(FP)
	RET
