// Catch2's main for the service tests (linked into each of their executables).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
