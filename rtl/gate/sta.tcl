# sta.tcl — static timing and the per-pin power tables of a flat netlist (rtl/gate/synth.sh)
# with OpenSTA (Debian's opensta, a 2019 snapshot; docs/energy.md §9 lists the behaviours
# relied on). Run by rtl/gate/sta.sh, with the environment
#   GATE_LIB     liberty file        GATE_NETLIST  flat.v        GATE_TOP  top module
#   GATE_PERIOD  clock period, ns    GATE_OUT      output directory
# Writes GATE_OUT/timing.txt (the worst path of each group), GATE_OUT/pin_caps.txt (cell,
# pin, direction, capacitance in fF of every library pin) and GATE_OUT/power.txt: report_power with the `power` debug trace
# at level 3, which prints for every instance pin its load capacitance and the liberty
# internal-energy table values at the pin's slew and load (per related pin, rise and
# fall), the switching power, and the cell leakage. analysis/gate_power.c reads those
# lines; OpenSTA's own activities (propagated from the inputs; the 2019 set_power_activity
# cannot set internal nets) are not used.
# Errors do not stop an OpenSTA script (each failing command prints "Error: ..." and the
# next one runs; `exit N` does not set the status): rtl/gate/sta.sh checks the inputs
# before and the log after.
read_liberty $::env(GATE_LIB)
read_verilog $::env(GATE_NETLIST)
link_design $::env(GATE_TOP)
set out $::env(GATE_OUT)
set_cmd_units -capacitance ff -digits 6
# every library pin's capacitance (fF): the clock pins' load, paid every cycle
set f [open $out/pin_caps.txt w]
foreach lib [get_libs *] {
  foreach c [get_lib_cells [get_full_name $lib]/*] {
    foreach p [get_lib_pins [get_full_name $c]/*] {
      puts $f "[get_property $c name] [get_full_name $p] [get_property $p direction] [get_property $p capacitance]"
    }
  }
}
close $f
create_clock -name clk -period $::env(GATE_PERIOD) [get_ports clk_i]
# the ideal clock's transition (else 0, below the tables' first index)
set_clock_transition 0.06 [get_clocks clk]
set data_in [delete_from_list [all_inputs] [get_ports {clk_i mpb_tie_lo mpb_tie_hi}]]
set_input_delay 0 -clock clk $data_in
set_output_delay 0 -clock clk [all_outputs]
# inputs as if driven by a flip-flop of the library; outputs load 10 fF (about one inverter
# input; capacitances are in fF after set_cmd_units above)
set_input_transition 0.06 [all_inputs]
set_load 10.0 [all_outputs]
# (no set_case_analysis on the tie ports: constant pins crash this report_power)
report_checks -path_delay max -group_count 1 -digits 4 > $out/timing.txt
sta::set_debug power 3
report_power -digits 6 > $out/power.txt
