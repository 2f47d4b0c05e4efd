"""The agenda: appointment requests, locations, availabilities, appointments, activities
(R4.1–R4.4)."""
