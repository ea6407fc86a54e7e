"""config.py — Config: the datapath configuration of libmpb (mpb_config), from a preset,
a libconfig file (configs/*.cfg) or keyword parameters; every value is set and validated
by libmpb, and a rejected one raises ConfigError with the library's message."""
from . import _mpb

PRESETS = ("default", "patent")
# (name, doc, lo, hi, default, choices) per parameter: libmpb's table (mpb_param_get)
PARAMS = tuple(_mpb.param_info())
PARAM_NAMES = tuple(p[0] for p in PARAMS)
# parameters the library writes as floating-point numbers (mpb_config_write)
_FLOAT_PARAMS = frozenset(
    line.split("=")[0].strip()
    for line in _mpb.Config().to_text().splitlines()
    if "=" in line and "." in line.split("=")[1].split(";")[0])


class Config(_mpb.Config):
    """Datapath configuration.

    Config()                              the default preset
    Config("patent")                      a preset: default | patent
    Config(file="configs/default.cfg")    a libconfig file (unknown keys are errors)
    Config(horner_order=4, x_bits=16)     keyword overrides, on the preset or the file
    """

    def __init__(self, preset="default", *, file=None, **params):
        super().__init__()
        if file is not None:
            self._load(file)
        else:
            self._preset(preset)
        for name, value in params.items():
            self.set(name, value)
        self.validate()

    @classmethod
    def load(cls, path, **params):
        return cls(file=path, **params)

    def set(self, name, value):
        """Set one parameter (range-checked by libmpb; cross-constraints by validate())."""
        if name not in PARAM_NAMES:
            raise _mpb.ConfigError(f"unknown parameter '{name}' (expected one of {', '.join(PARAM_NAMES)})")
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise TypeError(f"parameter {name}: expected an int, float or name, got {type(value).__name__}")
        self._set(name, str(value))

    def replace(self, **params):
        """A copy with some parameters changed."""
        c = Config.__new__(Config)
        _mpb.Config.__init__(c)
        c._copy_from(self)
        for name, value in params.items():
            c.set(name, value)
        c.validate()
        return c

    def __getattr__(self, name):
        if name in PARAM_NAMES:
            text = self._get(name)
            if name in _FLOAT_PARAMS:
                return float(text)
            try:
                return int(text)
            except ValueError:
                return text
        raise AttributeError(f"Config has no attribute '{name}'")

    def to_dict(self):
        return {n: getattr(self, n) for n in PARAM_NAMES}

    def __eq__(self, other):
        return isinstance(other, _mpb.Config) and self.to_text() == other.to_text()

    def __hash__(self):
        return hash(self.to_text())

    def __repr__(self):
        ref = _default_dict()
        diff = [f"{n}={v!r}" for n, v in self.to_dict().items() if v != ref[n]]
        return f"Config({', '.join(diff)})"


def as_config(c):
    """Config from a Config, a preset name, a file path or None (the default)."""
    if c is None:
        return Config()
    if isinstance(c, _mpb.Config):
        return c
    if isinstance(c, str) and c in PRESETS:
        return Config(c)
    return Config(file=c)


_DEFAULT = None


def _default_dict():
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Config().to_dict()
    return _DEFAULT
