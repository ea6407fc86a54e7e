# mk/test.mk — how `make test` builds and runs the suites on every core (included last:
# it reads the lists every module.mk fills). docs/verification.md "Running the tests".
#
#   make test       1. build the plain tree (build/) with -j$(nproc);
#                   2. at once, under one job server: run the plain tree's test jobs, and
#                      build then run the ASan+UBSan tree (build-san/);
#                   3. add up both trees' results: the closing line "tests: N passed,
#                      N failed" (CI reads it).
#   make test-one   one tree (SAN=0 or SAN=1): build, run its jobs, its summary.
#   make test-san   the same for SAN=1.
#
# A test job is one GoogleTest binary of TEST_BINS, or one shard of it when the module sets
# TEST_SHARDS_<binary name> (gtest's GTEST_TOTAL_SHARDS/GTEST_SHARD_INDEX); a job runs
# tools/run-tests.sh and leaves $(B)/test-res/<job>.res = "<passed> <failed> <name>".
# Every job is a make target, so jobs of both trees share the job server and run in
# parallel; make -Otarget prints each job's block whole. A suite that is not a
# GoogleTest binary (a fuzzer smoke run, pytest, a gate-level flow) adds its own rule
# writing a .res file of the same format and appends the file to TEST_RESULTS. Jobs
# start once everything in TEST_BINS and TEST_DEPS is built (a test may use any of it).
NPROC := $(shell nproc 2>/dev/null || echo 1)
TEST_JOBS ?= $(NPROC)
# -j for the sub-makes, unless the caller gave one (make -j4 test keeps its job server)
TEST_J = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(TEST_JOBS))

.PHONY: test test-one test-san test-build test-trees test-tree-0 test-tree-1 FORCE
FORCE:

test: deps
	@rm -rf build/test-res build-san/test-res build/test-results.txt build-san/test-results.txt
	+@$(MAKE) --no-print-directory $(TEST_J) -Otarget test-build SAN=0
	+@$(MAKE) --no-print-directory $(TEST_J) -Otarget test-trees
	@tools/test-summary.sh build/test-results.txt build-san/test-results.txt

# (explicit rules: make applies no pattern rule to a phony target)
test-trees: test-tree-0 test-tree-1
test-tree-0:
	+@$(MAKE) --no-print-directory test-one SAN=0 TEST_KEEP_GOING=1
test-tree-1:
	+@$(MAKE) --no-print-directory test-one SAN=1 TEST_KEEP_GOING=1

test-san: deps
	+@$(MAKE) --no-print-directory $(TEST_J) -Otarget test-one SAN=1

test-build: $(TEST_BINS) $(TEST_DEPS)

# test_job(binary, shard index, shard count)
define test_job
$(TEST_RES)/$(notdir $(1))-$(2).res: $(1) $(TEST_BINS) $(TEST_DEPS) FORCE
	@mkdir -p $$(dir $$@)
	@tools/run-tests.sh $$@ $(1) $(2) $(3)
TEST_GTEST_RESULTS += $(TEST_RES)/$(notdir $(1))-$(2).res
endef
TEST_GTEST_RESULTS :=
test_shards = $(or $(TEST_SHARDS_$(notdir $(1))),1)
shard_list = $(wordlist 1,$(1),0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
$(foreach t,$(TEST_BINS),$(foreach i,$(call shard_list,$(call test_shards,$(t))),\
  $(eval $(call test_job,$(t),$(i),$(call test_shards,$(t))))))

# One tree's results, in a fixed order, then its summary line. With TEST_KEEP_GOING
# (inside `make test`) failures do not stop make: the final summary decides.
test-one: $(TEST_GTEST_RESULTS) $(TEST_RESULTS)
	@cat $(TEST_GTEST_RESULTS) $(TEST_RESULTS) > $(B)/test-results.txt
	@tools/test-summary.sh --tree $(B) $(B)/test-results.txt $(if $(TEST_KEEP_GOING),|| true)
