#include "check.h"

#include <string.h>

namespace check {
namespace {

struct Case {
	const char* name;
	Fn fn;
};
Case g_cases[64];
int g_count = 0;
int g_failures = 0;
const char* g_current = "";

}  // namespace

Register::Register(const char* name, Fn fn) {
	if (g_count < 64) g_cases[g_count++] = Case{name, fn};
}

void fail(const char* file, int line, const char* what) {
	++g_failures;
	printf("  %s:%d: %s: CHECK(%s) failed\n", file, line, g_current, what);
}

void fail_ints(const char* file, int line, const char* a_expr, const char* b_expr, long long a, long long b) {
	++g_failures;
	printf("  %s:%d: %s: %s == %s failed: %lld != %lld\n", file, line, g_current, a_expr, b_expr, a, b);
}

void fail_strs(const char* file, int line, const char* a_expr, teddy::Str a, teddy::Str b) {
	++g_failures;
	printf("  %s:%d: %s: %s is \"%.*s\", expected \"%.*s\"\n", file, line, g_current, a_expr, static_cast<int>(a.size),
	       a.data ? a.data : "", static_cast<int>(b.size), b.data ? b.data : "");
}

// Runs every registered case (or those named on the command line) and prints one line each.
int run(int argc, char** argv) {
	int failed_cases = 0;
	int ran = 0;
	for (int i = 0; i < g_count; ++i) {
		bool wanted = argc < 2;
		for (int a = 1; a < argc; ++a) wanted |= strcmp(argv[a], g_cases[i].name) == 0;
		if (!wanted) continue;
		g_current = g_cases[i].name;
		int before = g_failures;
		g_cases[i].fn();
		++ran;
		bool ok = g_failures == before;
		failed_cases += ok ? 0 : 1;
		printf("%s %s\n", ok ? "ok  " : "FAIL", g_cases[i].name);
	}
	printf("%d cases, %d failed\n", ran, failed_cases);
	return failed_cases == 0 && ran > 0 ? 0 : 1;
}

}  // namespace check
