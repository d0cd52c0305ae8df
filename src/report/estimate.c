/* estimate.c: the scale of estimative language (ICD 203) that the report uses for probabilities. */
#include "report/estimate.h"

/* ODNI, Intelligence Community Directive 203, Analytic Standards
 * (2 January 2015), D.6.e(2): the terms and their ranges. */
const estimate_band estimate_scale[] = {
    { 0.00, 0.05, "almost no chance" },
    { 0.05, 0.20, "very unlikely" },
    { 0.20, 0.45, "unlikely" },
    { 0.45, 0.55, "roughly even chance" },
    { 0.55, 0.80, "likely" },
    { 0.80, 0.95, "very likely" },
    { 0.95, 1.00, "almost certain" },
};
const size_t estimate_n = sizeof estimate_scale / sizeof estimate_scale[0];

const char *estimate_words(double p)
{
    if (!(p >= 0.0 && p <= 1.0))
        return (const char *)0;
    if (p == 0.0)
        return "in no trial";
    if (p == 1.0)
        return "in every trial";
    for (size_t i = 0; i + 1 < estimate_n; i++)
        if (p < estimate_scale[i].hi)
            return estimate_scale[i].words;
    return estimate_scale[estimate_n - 1].words;
}
