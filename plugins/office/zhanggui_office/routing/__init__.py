"""Document routing (公文流转): a document passed through a list of people in order,
each signing it off or returning it, with the trail kept."""
