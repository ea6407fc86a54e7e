# tests/: GoogleTest binaries; each tests/test_<area>*.cc joins the binary of its area.
GTEST_LIBS := $(shell pkg-config --libs gtest_main 2>/dev/null || echo -lgtest_main -lgtest) -lpthread
