// Bounds the "audit": true extension (lab 02): each audit is a new node process of ~70 MB, so at most
// `capacity` run at once and a request that finds every slot taken is refused before it is generated.
import { MiniserveError } from "../errors/codes.ts";

export class AuditGate {
  private used = 0;

  /** onChange hears the count after every change (observability sets a gauge from it). */
  constructor(readonly capacity: number, private readonly onChange: (inUse: number) => void = () => {}) {}

  /** Audit children running or reserved now (a request holds its slot from admission to the audit's end). */
  get inUse(): number {
    return this.used;
  }

  /**
   * Take a slot and get the function that gives it back (calling it twice is harmless), or throw
   * MSV_ERR_AUDIT_BUSY: answered with 503 and Retry-After, and counted by audit_refused_total.
   */
  acquire(): () => void {
    if (this.used >= this.capacity) {
      throw new MiniserveError(
        "MSV_ERR_AUDIT_BUSY",
        `All ${this.capacity} audit slots are in use. Retry after the Retry-After delay, or raise MINISERVE_AUDIT_MAX_CONCURRENT.`,
        "audit",
      );
    }
    this.used++;
    this.onChange(this.used);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.used--;
      this.onChange(this.used);
    };
  }
}
