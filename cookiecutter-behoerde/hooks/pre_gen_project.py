"""Validate the template variables before anything is written.

Runs when the template is rendered, by ``willkommen new`` as well as by plain
``cookiecutter``. On a bad value it names the key and the reason and exits 1;
cookiecutter then removes the half-created folder, so nothing is left behind.
"""

import json
import sys

# Rendered by cookiecutter: JSON escapes every quote, so the raw string is safe.
CONTEXT = json.loads(r"""{{ cookiecutter | jsonify }}""")


def main() -> int:
    try:
        from willkommen_core.scaffold import validate_context
    except ImportError:
        print(
            "error: the Willkommen toolkit is not installed in this Python "
            "(pip install willkommen), so the values cannot be checked",
            file=sys.stderr,
        )
        return 1
    problems = validate_context(CONTEXT)
    if problems:
        print("error: the instance cannot be created:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
