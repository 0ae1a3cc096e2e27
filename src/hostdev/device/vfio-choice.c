// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/device/vfio-choice.h"

static void candidate_free(gpointer data)
{
  HdVfioCandidate *candidate = data;

  g_free(candidate->module);
  g_free(candidate->pattern);
  g_free(candidate);
}

void hd_vfio_choice_free(HdVfioChoice *choice)
{
  if (choice == NULL)
    return;
  g_free(choice->modalias);
  g_free(choice->key);
  g_free(choice->module);
  g_ptr_array_unref(choice->candidates);
  g_free(choice->reason);
  g_free(choice);
}

static HdVfioCandidate *candidate_new(HdManager *manager, const HdAlias *alias)
{
  HdVfioCandidate *candidate = g_new0(HdVfioCandidate, 1);

  candidate->module = g_strdup(alias->module);
  candidate->pattern = g_strdup(alias->pattern);
  candidate->wildcards = hd_alias_pattern_wildcards(alias->pattern);
  candidate->source = hd_manager_alias_source_name(manager, alias->source);
  candidate->line = alias->line;
  return candidate;
}

/* Ranked as the choice is made: fewest wildcards first, ties in file
 * order. The first is the choice, the second the runner-up. */
static gint compare_rank(gconstpointer a, gconstpointer b)
{
  const HdVfioCandidate *ca = *(const HdVfioCandidate *const *)a;
  const HdVfioCandidate *cb = *(const HdVfioCandidate *const *)b;

  if (ca->wildcards != cb->wildcards)
    return ca->wildcards < cb->wildcards ? -1 : 1;
  return ca->order < cb->order ? -1 : (ca->order > cb->order);
}

static void fill_candidates(HdVfioChoice *choice, HdManager *manager, const GPtrArray *matches)
{
  for (guint i = 0; i < matches->len; i++) {
    HdVfioCandidate *candidate = candidate_new(manager, g_ptr_array_index(matches, i));
    candidate->order = i;
    g_ptr_array_add(choice->candidates, candidate);
  }
  g_ptr_array_sort(choice->candidates, compare_rank);
}

/* One sentence naming the winner and what it beat, and how a tie was broken. */
static char *explain(const HdVfioChoice *choice)
{
  const HdVfioCandidate *best = g_ptr_array_index(choice->candidates, 0);
  g_autoptr(GString) text = g_string_new(NULL);

  g_string_printf(text, "%s: alias %s (%s line %u) matches with %u wildcard%s", best->module, best->pattern,
                  best->source, best->line, best->wildcards, best->wildcards == 1 ? "" : "s");
  if (choice->candidates->len == 1) {
    g_string_append(text, ", the only match");
    return g_string_free(g_steal_pointer(&text), FALSE);
  }
  const HdVfioCandidate *next = g_ptr_array_index(choice->candidates, 1);
  if (next->wildcards == best->wildcards)
    g_string_append_printf(text, "; tie with %s (%u wildcards) broken by file order (earliest line wins)",
                           next->module, next->wildcards);
  else
    g_string_append_printf(text, ", fewest of %u matches (next: %s with %u)", choice->candidates->len,
                           next->module, next->wildcards);
  return g_string_free(g_steal_pointer(&text), FALSE);
}

static void choose_fallback(HdVfioChoice *choice, HdManager *manager)
{
  const char *problem = hd_manager_alias_problem(manager);

  choice->module = g_strdup(HD_GENERIC_VFIO_MODULE);
  choice->fallback = TRUE;
  if (problem != NULL) {
    choice->reason = g_strdup_printf("%s: no usable modules.alias (%s)", HD_GENERIC_VFIO_MODULE, problem);
    hd_manager_warn(manager, "cannot read the kernel's module aliases (%s); choosing %s for every device",
                    problem, HD_GENERIC_VFIO_MODULE);
  } else if (!hd_manager_kernel_has_vfio_aliases(manager)) {
    choice->reason = g_strdup_printf("%s: kernel %s predates vfio_pci: aliases (Linux 5.16)", HD_GENERIC_VFIO_MODULE,
                                     hd_manager_kernel_release(manager));
  } else {
    choice->reason = g_strdup_printf("%s: no vfio_pci: alias in %s matches %s", HD_GENERIC_VFIO_MODULE,
                                     hd_manager_modules_dir(manager), choice->key);
    /* one warning for all devices, not one per device */
    hd_manager_warn(manager, "no vfio_pci: alias in %s matches some devices; choosing %s for them (is vfio-pci built for kernel %s?)",
                    hd_manager_modules_dir(manager), HD_GENERIC_VFIO_MODULE, hd_manager_kernel_release(manager));
  }
}

HdVfioChoice *hd_vfio_choose(HdManager *manager, const char *modalias)
{
  HdVfioChoice *choice = g_new0(HdVfioChoice, 1);
  const HdAliasTable *table = hd_manager_vfio_aliases(manager);

  choice->modalias = g_strdup(modalias);
  choice->key = g_strconcat("vfio_", modalias, NULL);
  choice->candidates = g_ptr_array_new_with_free_func(candidate_free);

  g_autoptr(GPtrArray) matches = hd_alias_table_match(table, choice->key);
  const HdAlias *best = hd_alias_best(matches);
  if (best == NULL) {
    choose_fallback(choice, manager);
    return choice;
  }
  fill_candidates(choice, manager, matches);
  choice->module = g_strdup(best->module);
  g_assert(g_str_equal(((HdVfioCandidate *)g_ptr_array_index(choice->candidates, 0))->module, best->module));
  choice->reason = explain(choice);
  return choice;
}
