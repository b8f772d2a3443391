#pragma once
// A tiny test harness that runs the same way on the host and under qemu-riscv32 (no C++ standard
// library there). Each test file is one executable; ctest runs each executable once.
#include <stdint.h>
#include <stdio.h>

#include "teddy/view.h"

namespace check {

using Fn = void (*)();
struct Register {
	Register(const char* name, Fn fn);
};
void fail(const char* file, int line, const char* what);
void fail_ints(const char* file, int line, const char* a_expr, const char* b_expr, long long a, long long b);
void fail_strs(const char* file, int line, const char* a_expr, teddy::Str a, teddy::Str b);
int run(int argc, char** argv);

}  // namespace check

#define TEST(name)                                     \
	static void test_##name();                         \
	static check::Register reg_##name(#name, test_##name); \
	static void test_##name()

#define CHECK(e)                                                    \
	do {                                                            \
		if (!(e)) check::fail(__FILE__, __LINE__, #e);              \
	} while (0)

#define CHECK_EQ(a, b)                                                                                          \
	do {                                                                                                        \
		long long a_ = static_cast<long long>(a), b_ = static_cast<long long>(b);                               \
		if (a_ != b_) check::fail_ints(__FILE__, __LINE__, #a, #b, a_, b_);                                     \
	} while (0)

#define CHECK_STR(a, b)                                                                 \
	do {                                                                                \
		teddy::Str a_ = (a), b_ = (b);                                                  \
		if (a_ != b_) check::fail_strs(__FILE__, __LINE__, #a, a_, b_);                 \
	} while (0)

#define TEST_MAIN() \
	int main(int argc, char** argv) { return check::run(argc, argv); }
