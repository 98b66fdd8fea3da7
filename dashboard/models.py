"""The dashboard keeps no tables of its own: its pages read the other apps."""
