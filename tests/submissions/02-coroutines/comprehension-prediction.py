# Valid: builds the prediction in one comprehension; the spins not taken between parts are the parts that
# did not hand control back.
# alternative ex2_4_all_or_nothing ex2_4_mixed_parts
# %% replace ex2_4_predict_log
def predict_log(suspends):
    between = [entry for i, s in enumerate(suspends) for entry in ([f"part {i}", "spin"] if s else [f"part {i}"])]
    return between + ["spin"] * suspends.count(False)
