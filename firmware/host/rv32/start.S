# Entry for the rv32 unit tests under qemu-riscv32 (Linux user mode): qemu hands us a Linux
# process stack (argc, argv), so we keep it instead of picolibc's bare-metal crt0.
	.section .text._start, "ax"
	.global _start
_start:
	.option push
	.option norelax
	la gp, __global_pointer$
	.option pop
	la tp, qemu_tls_block
	lw s0, 0(sp)
	addi s1, sp, 4
	call __libc_init_array
	mv a0, s0
	mv a1, s1
	call main
	call exit
