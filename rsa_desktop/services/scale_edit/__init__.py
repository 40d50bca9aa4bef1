"""Editing an analysis' scales without losing a rating (Qt-free).

Every change to a scale – a level added, relabelled or removed, a dimension renamed or removed,
colour bands, time horizons, the aggregation and the unacceptable level – is expressed as a new
*template* (the JSON format of resources/scales/default.json) and goes through the same two steps:

1. `preview_scale_change()` (preview.py) lists every stored rating that would have no valid level on the new
   scale (risk likelihood and residuals, risk consequences per dimension, function impacts per
   horizon, criticality fields, capability ratings), and, given a mapping, what it moves;
2. `apply_scale()` (apply.py) re-maps explicitly – per scale part, old value → new value; a dimension or a
   horizon may map to None only when the user chose to drop its ratings – and refuses if any used
   value is left unmapped. Never silent clamping. One transaction.

When two ratings end up in the same place (two dimensions merged into one, two horizons into one),
the higher level is kept and the preview lists the merge.

KS can export a scale (`export_scale_file`) that every förvaltning imports (`read_scale_file` →
`preview_scale_change` → `apply_scale`).

The package, by job: template.py (the scale-file format: check, read, write), mapping.py (old → new values),
preview.py (what a change does to the ratings), suggest.py (bands and a mapping to start from), apply.py
(writing it, one transaction) and edits.py (one part at a time).

Callers import from those modules. The names below are re-exported only for ui/dialogs/scale_editor.py, which
calls `scale_edit.<name>` and is edited by someone else just now; move it to the modules and drop this.
"""

from rsa_desktop.services.scale_edit.apply import apply_scale
from rsa_desktop.services.scale_edit.preview import preview_scale_change
from rsa_desktop.services.scale_edit.suggest import suggest_bands, suggest_mapping
from rsa_desktop.services.scale_edit.template import (
                                                      current_template,
                                                      export_scale_file,
                                                      read_scale_file,
                                                      validate_template,
)

__all__ = ["apply_scale", "current_template", "export_scale_file", "preview_scale_change", "read_scale_file",
           "suggest_bands", "suggest_mapping", "validate_template"]
