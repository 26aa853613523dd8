"""The period names the market tools accept, in words (for help texts, without loading pandas)."""

FORMS = (
    "1d, 5d (trading days), 1m, 3m, 6m, 1y, 3y, 5y, 10y (calendar months back), mtd, qtd, ytd, "
    "a calendar month 2024-02, a quarter 2025Q4 or a year 2025"
)
