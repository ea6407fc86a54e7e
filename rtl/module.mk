# rtl/: rules for this area (see the top-level Makefile).
