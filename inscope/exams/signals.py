"""What the examinations app tells the apps built on it (which it may not import: the layers are dicom -> dose ->
exams).

``examination_completed`` is sent by ``complete_examination`` inside its transaction, after the examination is
completed and its exposures are saved, with ``examination`` (locked), ``by`` and ``source``. The dose app records
the typed-in dose through its one recording service and compares it with the DRL that applies, so a manual entry
and a dose report are compared the same way. A receiver that raises rolls the whole completion back: nothing is
half-saved.
"""

from django.dispatch import Signal

examination_completed = Signal()
