# Dates on our pages in Spanish: "25 nov 2026", as Spanish newsrooms print them on cards.
# Numbers and money use Django's Spanish separators ("1.234,50"); see donations/money.py.
DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y, H:i"
