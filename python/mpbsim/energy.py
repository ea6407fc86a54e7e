"""energy.py — the per-action energy model (analysis/energy.h, docs/energy.md): Counts of
the actions the golden model performs, EnergyTable (default: the shipped
configs/energy-45nm.cfg embedded in libanalysis) and energy(counts) -> EnergyBreakdown."""
import numpy as np

from . import _mpb
from .config import as_config

BLOCKS, COUNT_FIELDS = _mpb.count_names()
UNITS = ("rope", "exp", "dot")  # mpb_unit order


class Counts:
    """Action counts (mpb_counts): blocks[block, field] uint64 plus the totals
    ops, cycles, active_cycles, stall_cycles, idle_cycles."""

    def __init__(self, blocks=None, totals=None):
        self.blocks = np.zeros((len(BLOCKS), len(COUNT_FIELDS)), np.uint64) if blocks is None \
            else np.array(blocks, dtype=np.uint64).reshape(len(BLOCKS), len(COUNT_FIELDS))
        self.totals = dict(ops=0, cycles=0, active_cycles=0, stall_cycles=0, idle_cycles=0)
        self.totals.update(totals or {})

    def __getattr__(self, name):
        if name in ("ops", "cycles", "active_cycles", "stall_cycles", "idle_cycles"):
            return self.totals[name]
        raise AttributeError(name)

    def block(self, name):
        """{field: count} of one block (MAC8, PACK16, LOGLUT, RANGE, HORNER, ROTATE, PIPE)."""
        return dict(zip(COUNT_FIELDS, (int(v) for v in self.blocks[BLOCKS.index(name)])))

    def __add__(self, other):
        return Counts(self.blocks + other.blocks, {k: self.totals[k] + other.totals[k] for k in self.totals})

    def __repr__(self):
        active = [f"{b}: {int(self.blocks[i, 0])} mul, {int(self.blocks[i, 2])} add, {int(self.blocks[i, 4])} rom"
                  for i, b in enumerate(BLOCKS) if self.blocks[i].any()]
        return f"Counts(ops={self.ops}, cycles={self.cycles}; " + "; ".join(active) + ")"


class EnergyTable(_mpb.EnergyTable):
    """An energy table; EnergyTable() is the shipped default (Horowitz ISSCC 2014, 45 nm)."""

    def baseline_cost(self, pipe, op, model=None):
        """One operation (rotation, exp, mac, cossin, rotate) of a side (bridge, fp32, bf16,
        fp16, int8) by cost class in pJ at the model's clock, as `mpbsim energy` prints it;
        model None = the default configuration and geometry."""
        from .model import Model
        return super().baseline_cost(pipe, op, Model() if model is None else model)

    def baseline_pj(self, pipe, op, model=None):
        """The total of baseline_cost."""
        return self.baseline_cost(pipe, op, model)["total"]

    def __repr__(self):
        return f"EnergyTable('{self.source()}')"


class EnergyBreakdown:
    """Energy of counted actions per block and in total (pJ), plain and activity-adjusted."""

    def __init__(self, d):
        self.__dict__.update(d)

    def __repr__(self):
        per = ", ".join(f"{b}={v['total_pj']:.4g}" for b, v in self.blocks.items() if v["total_pj"])
        act = f", total_act_pj={self.total_act_pj:.6g}" if self.has_activity else ""
        return (f"EnergyBreakdown(total_pj={self.total_pj:.6g}{act}, per_op_pj={self.per_op_pj:.4g}, "
                f"power_w={self.power_w:.4g}; {per})")


_DEFAULT_TABLE = None


def energy(counts, config=None, table=None, reference=None, model=None, unit=None):
    """Price counts with an energy table (mpb_energy_price_activity). reference: Counts of
    the same unit on random inputs (Model.reference_counts) for the activity figure. With a
    model and its unit ("rope", "exp", "dot") the unit's register clock and leakage over the
    counted cycles are added (as `mpbsim energy` prices a unit; config defaults to the
    model's); without, only the data-dependent classes."""
    global _DEFAULT_TABLE
    if table is None:
        if _DEFAULT_TABLE is None:
            _DEFAULT_TABLE = EnergyTable()
        table = _DEFAULT_TABLE
    elif not isinstance(table, _mpb.EnergyTable):
        table = EnergyTable(table)
    if (model is None) != (unit is None):
        raise ValueError("energy: give model and unit together (the unit's clock and leakage)")
    cfg = as_config(model.config if config is None and model is not None else config)
    static = () if model is None else (model, UNITS.index(unit))
    if reference is None:
        d = table.price(cfg, counts.blocks, counts.totals, None, None, *static)
    else:
        d = table.price(cfg, counts.blocks, counts.totals, reference.blocks, reference.totals,
                        *static)
    return EnergyBreakdown(d)
