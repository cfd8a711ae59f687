/** Posts of one alert before delivery gives up (a new webhook URL starts the count again). */
export const MAX_DELIVERY_ATTEMPTS = 5;
