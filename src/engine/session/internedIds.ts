import type { EventIndex } from '../store/eventIndex';

/**
 * The event index's ids of a location's file and of the label it last had, kept so a hit
 * looks up no string: a checkpoint on the same line with the same label interns nothing.
 */
export class InternedIds {
  /** The index's string epoch when the ids were taken; -1 before the first hit. */
  epoch = -1;
  /** Id of the location's file. */
  file = -1;
  /** The label `label` is the id of (compared by identity first, so usually free). */
  labelText: string | undefined = undefined;
  /** Id of `labelText`, -1 for none. */
  label = -1;

  /** Makes `file` and `label` valid ids in `events` for `fileText` and `labelText`. */
  refresh(events: EventIndex, fileText: string, labelText: string | undefined): void {
    if (this.epoch === events.stringEpoch && labelText === this.labelText) return;
    // Interning may compact the table and renumber: take both ids again until it did not.
    do {
      this.epoch = events.stringEpoch;
      this.labelText = labelText;
      this.label = events.intern(labelText);
      this.file = events.intern(fileText);
    } while (this.epoch !== events.stringEpoch);
  }
}
