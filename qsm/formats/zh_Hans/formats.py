# Django's zh_Hans groups digits by four with no separator ("1326700.00"); Chinese business
# documents and accounting software print amounts as "1,326,700.00". Every other format (dates,
# input formats) comes from Django's zh_Hans module.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
