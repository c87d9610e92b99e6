# Dates on our pages in English: "25 Nov 2026" (the house style, not Django's "Nov. 25, 2026").
# The admin uses the same formats, so editors read the dates readers see.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
