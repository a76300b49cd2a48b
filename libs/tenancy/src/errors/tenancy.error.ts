/** Base class of every error the library throws; `instanceof TenancyError` catches them all. */
export class TenancyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
