from pathlib import Path

# Bank files, good and broken, in every format the site reads (the admin's tests upload them too).
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "banks"
