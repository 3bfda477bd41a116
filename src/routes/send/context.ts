export { serviceContext as sendContext } from "../context";
