# Dates on our pages in Spanish: "25 nov 2026", as Spanish newsrooms print them on cards.
# Numbers and money use Django's Spanish separators ("1.234,50"); see donations/money.py.
# The admin uses the same formats, so editors read the dates readers see.
DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
