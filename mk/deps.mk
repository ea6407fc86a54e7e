# `make deps`: install the Debian packages the build and the tests need.
# As root it runs apt-get; otherwise it prints the one command to run and stops.
DEPS_PKGS := g++ make pkg-config python3 python3-pip unzip \
  verilator iverilog libsystemc-dev \
  libgsl-dev libmpfr-dev libgmp-dev libgtest-dev \
  libzstd-dev zlib1g-dev libjansson-dev libconfig-dev \
  slurm-wlm munge \
  chromium libpng-dev \
  clang libclang-rt-14-dev \
  libopenblas-dev

.PHONY: deps
deps:
	@tools/install-deps.sh $(DEPS_PKGS)
