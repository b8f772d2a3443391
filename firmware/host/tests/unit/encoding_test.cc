#include "../support/check.h"
#include "teddy/encoding.h"

using namespace teddy;

TEST(hex_round_trips_and_rejects_bad_digits) {
	uint8_t b[3] = {0x00, 0xab, 0xff};
	char h[7];
	hex_encode(b, 3, h);
	CHECK_STR(Str(h), "00abff");
	uint8_t back[3];
	CHECK(hex_decode("00abff", back, 3));
	CHECK(back[1] == 0xab);
	CHECK(hex_decode("00ABFF", back, 3));
	CHECK(!hex_decode("00ABFF", back, 3, true));
	CHECK(!hex_decode("00abf", back, 3));
	CHECK(!hex_decode("00abfg", back, 3));
}

TEST(base64_decodes_padded_text_and_rejects_malformed) {
	uint8_t out[16];
	CHECK_EQ(base64_decode("aGVsbG8=", out, sizeof out), 5);
	CHECK(memcmp(out, "hello", 5) == 0);
	CHECK_EQ(base64_decode("aGVsbG8h", out, sizeof out), 6);
	CHECK_EQ(base64_decode("aGk=", out, sizeof out), 2);
	CHECK_EQ(base64_decode("", out, sizeof out), 0);
	CHECK_EQ(base64_decode("aGVsbG8", out, sizeof out), -1);    // not a multiple of 4
	CHECK_EQ(base64_decode("aG=sbG8h", out, sizeof out), -1);   // padding in the middle
	CHECK_EQ(base64_decode("aGVs!G8h", out, sizeof out), -1);   // not the alphabet
	CHECK_EQ(base64_decode("aGVsbG8h", out, 5), -1);            // does not fit
}

TEST(decimal_parsing_is_strict) {
	uint64_t v;
	CHECK(parse_u64("1767225600", &v));
	CHECK_EQ(v, 1767225600LL);
	CHECK(!parse_u64("17672256x0", &v));
	CHECK(!parse_u64("", &v));
	CHECK(!parse_u64("-1", &v));
	CHECK(!parse_u64("99999999999999999999", &v));  // overflows u64
	char buf[21];
	CHECK_EQ(format_u64(0, buf), 1);
	CHECK_STR(Str(buf), "0");
}

TEST_MAIN()
