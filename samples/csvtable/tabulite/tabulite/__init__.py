"""Format rows (lists of strings) as an aligned text or Markdown table."""

__all__ = ["table"]


def _is_number(s):
    try:
        float(s.replace(",", ""))
    except ValueError:
        return False
    return True


def table(rows, markdown=False):
    """rows[0] is the header. Numeric columns are right-aligned."""
    if not rows:
        return ""
    ncols = max(len(r) for r in rows)
    rows = [list(r) + [""] * (ncols - len(r)) for r in rows]
    widths = [max(len(r[c]) for r in rows) for c in range(ncols)]
    numeric = [all(_is_number(r[c]) for r in rows[1:] if r[c]) and
               any(r[c] for r in rows[1:]) for c in range(ncols)]

    def line(cells):
        out = [c.rjust(w) if num else c.ljust(w)
               for c, w, num in zip(cells, widths, numeric)]
        if markdown:
            return "| " + " | ".join(out) + " |"
        return "  ".join(out).rstrip()

    rule = ["-" * w for w in widths]
    if markdown:
        rule = ["-" * (w - 1) + ":" if num else "-" * w
                for w, num in zip(widths, numeric)]
    return "\n".join([line(rows[0]), line(rule)] +
                     [line(r) for r in rows[1:]]) + "\n"
