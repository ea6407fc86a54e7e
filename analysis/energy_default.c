/* energy_default.c — embeds the shipped energy table configs/energy-45nm.cfg into the
 * library (NUL-terminated), so that mpb_energy_load(NULL) and the file can never differ.
 * analysis/module.mk makes this object depend on the file. */
__asm__(".section .rodata\n"
        ".global mpb_energy_default_cfg\n"
        ".type mpb_energy_default_cfg, @object\n"
        ".balign 16\n"
        "mpb_energy_default_cfg:\n"
        ".incbin \"configs/energy-45nm.cfg\"\n"
        ".byte 0\n"
        ".size mpb_energy_default_cfg, . - mpb_energy_default_cfg\n"
        ".previous\n");
