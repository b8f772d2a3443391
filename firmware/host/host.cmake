# Host-only parts: libopus, the Beast WebSocket/HTTP transport, and the tests against the real gateway.
find_package(PkgConfig REQUIRED)
pkg_check_modules(OPUS REQUIRED IMPORTED_TARGET opus)
find_package(Boost 1.74 REQUIRED)
find_package(Threads REQUIRED)

add_library(teddy_opus STATIC ${FW}/components/teddy_opus/src/opus_codec.cc)
target_include_directories(teddy_opus PUBLIC ${FW}/components/teddy_opus/include)
target_link_libraries(teddy_opus PUBLIC teddy_core PkgConfig::OPUS)
target_compile_options(teddy_opus PRIVATE -Wall -Wextra -Werror)

add_library(teddy_host_platform STATIC
  platform/ws_transport.cc platform/http_client.cc platform/board.cc platform/gateway_process.cc platform/host_toy.cc)
target_include_directories(teddy_host_platform PUBLIC platform)
target_link_libraries(teddy_host_platform PUBLIC teddy_core teddy_opus Boost::boost Threads::Threads PkgConfig::OPUS)
# ? Asio and Beast report errors by exception where no error_code overload is used; the core stays without.
target_compile_options(teddy_host_platform PUBLIC -fexceptions -frtti)
target_compile_options(teddy_host_platform PRIVATE -Wall -Wextra -Werror)

add_executable(gateway_test tests/integration/gateway_test.cc)
target_link_libraries(gateway_test PRIVATE teddy_host_platform teddy_testing)
target_compile_definitions(gateway_test PRIVATE TEDDY_REPO_ROOT="${REPO}")
foreach(case
    spoken_turn_in_vad_mode_is_heard_and_answered
    abort_mid_answer_stops_the_audio_and_the_next_turn_works
    reconnects_after_the_gateway_restarts
    bad_key_is_refused_with_4401_and_the_toy_stops
    check_in_pairs_by_code_and_its_jwt_opens_the_session)
  add_test(NAME gateway.${case} COMMAND gateway_test ${case})
  set_tests_properties(gateway.${case} PROPERTIES TIMEOUT 240 LABELS gateway)
endforeach()

# OTA and config served by the gateway (tests/integration/gateway_ota_test.cc); on since the gateway
# has its firmware channel (issue 15). OFF only to build against an older gateway.
option(TEDDY_GATEWAY_OTA_SERVER "run the OTA/config tests against the gateway" ON)
add_executable(gateway_ota_test tests/integration/gateway_ota_test.cc)
target_link_libraries(gateway_ota_test PRIVATE teddy_host_platform teddy_testing)
target_compile_definitions(gateway_ota_test PRIVATE TEDDY_REPO_ROOT="${REPO}")
foreach(case config_fetch_uses_the_etag ota_update_served_by_the_gateway_installs_and_tampering_is_refused)
  add_test(NAME gateway.ota.${case} COMMAND gateway_ota_test ${case})
  set_tests_properties(gateway.ota.${case} PROPERTIES TIMEOUT 240 LABELS gateway)
  if(NOT TEDDY_GATEWAY_OTA_SERVER)
    set_tests_properties(gateway.ota.${case} PROPERTIES DISABLED TRUE)
  endif()
endforeach()

# The digit clips through real libopus: what a child actually hears when the toy says its code.
add_executable(digit_voice_opus_test tests/integration/digit_voice_opus_test.cc)
target_link_libraries(digit_voice_opus_test PRIVATE teddy_host_platform teddy_testing)
add_test(NAME host.digit_voice_opus_test COMMAND digit_voice_opus_test)

# The factory tool derives the same device keys as the core and the gateway.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME host.provision_tool_matches_vectors
  COMMAND ${Python3_EXECUTABLE} ${FW}/tools/provision.py --check-vectors ${REPO}/test/vectors/auth.json)
