"""The README's Python blocks run as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) == 2
    namespace = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    recommended, indicators = capsys.readouterr().out.strip().splitlines()
    assert set(eval(recommended)) == {"rnn", "lstm", "gru"}
    assert indicators == "5.0 5.0"
