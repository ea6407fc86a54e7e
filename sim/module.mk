# sim/: the mpbsim CLI driver (C) and the Verilator/SystemC harnesses (C++).
