# Chinese number formats over Django's own (dates and the rest come from django.conf.locale):
# amounts are grouped by three with a comma, as Chinese finance and business texts write them
# (12,500 元). Django's zh_Hans has no separator and would group by four. Grouping is applied
# where a template asks for it (floatformat:"g", intcomma), never to ids or years.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
