-- A batch that is delivered again after a later failure must not keep its dead letters twice.
DELETE FROM dead_letters d
 USING dead_letters earlier
 WHERE d.consumer = earlier.consumer AND d.topic = earlier.topic AND d.partition = earlier.partition
   AND d."offset" = earlier."offset" AND d.id > earlier.id;
CREATE UNIQUE INDEX dead_letters_once ON dead_letters (consumer, topic, partition, "offset");
