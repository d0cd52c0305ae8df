/* estimate.h: probabilities in words, on the scale of estimative language
 * of US Intelligence Community Directive 203 (Analytic Standards, 2015). */
#ifndef NCG_ESTIMATE_H
#define NCG_ESTIMATE_H

#include <stddef.h>

/* One band of the scale: probabilities from LO (included) to HI (excluded;
 * the last band includes 1). */
typedef struct estimate_band {
    double lo, hi;
    const char *words;   /* e.g. "very unlikely" */
} estimate_band;

/* The bands, lowest first, and how many there are. */
extern const estimate_band estimate_scale[];
extern const size_t estimate_n;

/* The words for probability P: "almost no chance" below 5%, "very
 * unlikely" from 5% to 20%, "unlikely" to 45%, "roughly even chance" to
 * 55%, "likely" to 80%, "very likely" to 95%, "almost certain" from 95%;
 * exactly 0 is "in no trial" and exactly 1 "in every trial" (the model
 * fixes it; no estimate). NULL when P is not a probability (NaN, < 0,
 * > 1). */
const char *estimate_words(double p);

#endif
