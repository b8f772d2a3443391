// The few OS hooks picolibc needs, as Linux system calls that qemu-riscv32 user mode serves:
// stdout/stderr writes and exit. The device build never links this.
#include <stdio.h>
#include <stdlib.h>

static long linux_call(long n, long a, long b, long c) {
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;
	register long a7 __asm__("a7") = n;
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
	return a0;
}

// picolibc keeps errno in thread-local storage; one thread, one zeroed block.
__attribute__((aligned(16))) char qemu_tls_block[256];

static int put(char c, FILE *f) {
	(void)f;
	linux_call(64 /* write */, 1, (long)&c, 1);
	return (unsigned char)c;
}

static FILE console = FDEV_SETUP_STREAM(put, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdin = &console;
FILE *const stdout = &console;
FILE *const stderr = &console;

void _exit(int code) {
	for (;;) linux_call(93 /* exit */, code, 0, 0);
}

// Pure virtual calls cannot happen in correct code; if one does, fail loudly.
void __cxa_pure_virtual(void) { abort(); }
