// Mbed TLS 2.28 built for the host and rv32 tests: the two hashes the core uses, nothing else.
// On the device the core uses ESP-IDF's own Mbed TLS (hardware SHA) instead of these files.
#pragma once
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_SHA512_SMALLER
