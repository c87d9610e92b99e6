# The site's own date style ("25 Nov 2026", "25 Nov 2026 14:05"), used by the public pages
# and, through Django's default formats, by the admin, so editors read the dates readers see.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
