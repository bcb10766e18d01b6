"""What a run leaves behind: plots, the report, and the bundle (tarball) that carries them."""
