"""Every setting read from the environment is documented in the README's table and listed in
.env.example."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def settings_read_from_the_environment() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text()
    names = set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", source))
    return names | {"SECRET_KEY", "ALLOWED_HOSTS"}  # also checked in a loop for production


def readme_table() -> set[str]:
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", (ROOT / "README.md").read_text(), re.M))


def env_example() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^# ?([A-Z][A-Z0-9_]*)=", text, re.M))


def test_settings_are_found():
    assert {"DATABASE_URL", "SECRET_KEY", "LOG_FORMAT"} <= settings_read_from_the_environment()


def test_every_setting_has_a_row_in_the_readme_table():
    assert settings_read_from_the_environment() - readme_table() == set()


def test_the_readme_table_documents_only_real_settings():
    assert readme_table() - settings_read_from_the_environment() == set()


def test_env_example_lists_every_setting_of_the_readme_table():
    assert readme_table() == env_example()
