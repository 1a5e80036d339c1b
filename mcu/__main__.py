from mcu.cli import entry

entry()
