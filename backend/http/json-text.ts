/**
 * A response body already written as JSON (the events page, which PostgreSQL writes): sent as is, without the
 * route's response schema encoding it again. `T` is the shape it stands for, so the handler stays typed; the
 * module that writes it has a test holding the text to that shape, and the workstation's client checks every
 * answer against the route's schema.
 */
export class JsonText<T> {
  declare readonly shape?: T;
  constructor(readonly text: string) {}
}
