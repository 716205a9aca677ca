"""Settings modules: base (everything, from the environment), test, production."""
