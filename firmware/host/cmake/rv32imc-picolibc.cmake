# Cross-compiles the portable core and its unit tests for rv32imc (ESP32-C3's ISA) with Debian's
# gcc-riscv64-unknown-elf and picolibc, and runs them under qemu-riscv32 user mode.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv32)
set(CMAKE_C_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_CXX_COMPILER riscv64-unknown-elf-g++)
set(CMAKE_ASM_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-riscv32)

set(TEDDY_RV32 ON)
# ? picolibc's headers without its specs file: the specs would also link its bare-metal memory map,
# and qemu-user wants an ordinary ELF process image (GNU ld's default layout).
set(arch "-march=rv32imc -mabi=ilp32 -isystem /usr/lib/picolibc/riscv64-unknown-elf/include -ftls-model=local-exec")
set(CMAKE_C_FLAGS_INIT "${arch}")
set(CMAKE_CXX_FLAGS_INIT "${arch} -fno-threadsafe-statics -fno-use-cxa-atexit")
set(CMAKE_ASM_FLAGS_INIT "${arch}")
# ? picolibc ships no rv32imc multilib; rv32im (a subset of imc) is ABI-compatible.
set(picolibc_lib /usr/lib/picolibc/riscv64-unknown-elf/lib/rv32im/ilp32)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-march=rv32imc -mabi=ilp32 -nostartfiles -nostdlib -L${picolibc_lib} -Wl,--gc-sections")
set(CMAKE_C_STANDARD_LIBRARIES "-Wl,--start-group -lc -lgcc -Wl,--end-group")
set(CMAKE_CXX_STANDARD_LIBRARIES "-Wl,--start-group -lc -lgcc -Wl,--end-group")
set(CMAKE_BUILD_TYPE MinSizeRel CACHE STRING "")
