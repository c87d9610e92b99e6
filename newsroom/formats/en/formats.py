# Dates on our pages in English: "25 Nov 2026" (the house style, not Django's "Nov. 25, 2026").
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
